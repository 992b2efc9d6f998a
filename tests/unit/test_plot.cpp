// Line plots: nice tick positions, image size, series drawn in their colours inside
// the plot area, log-y skipping non-positive values, PNG round trip, bad input.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "lmm/core/error.h"
#include "lmm/render/plot.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::render;

TEST(Plot, NiceTicks) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0.13, 0.87, 4), (std::vector<double>{0.2, 0.4, 0.6, 0.8}));
  auto t = nice_ticks(-3, 3, 6);
  EXPECT_EQ(t.front(), -3);
  EXPECT_EQ(t.back(), 3);
  EXPECT_TRUE(nice_ticks(1, 1).empty());
}

static int count_color(const cv::Mat& img, const cv::Scalar& c) {
  int n = 0;
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      auto p = img.at<cv::Vec3b>(y, x);
      n += p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
    }
  return n;
}

TEST(Plot, DrawsSeriesInTheirColours) {
  Series a{"a", {0, 1, 2, 3}, {1, 0.5, 0.25, 0.125}, {255, 0, 0}};
  Series b{"b", {0, 1, 2, 3}, {2, 1, 0.8, 0.7}, {0, 0, 255}};
  PlotOptions o;
  o.title = "t";
  o.x_label = "epoch";
  o.y_label = "loss";
  o.width = 640;
  o.height = 400;
  cv::Mat img = plot_lines({a, b}, o);
  EXPECT_EQ(img.cols, 640);
  EXPECT_EQ(img.rows, 400);
  EXPECT_EQ(img.type(), CV_8UC3);
  EXPECT_GT(count_color(img, a.color), 300);  // a 2-px line across most of the width
  EXPECT_GT(count_color(img, b.color), 300);

  // Log scale: the zero and the NaN are skipped, the rest still drawn.
  o.log_y = true;
  Series c{"c", {0, 1, 2, 3}, {1, 0, NAN, 0.01}, {0, 160, 0}};
  cv::Mat img2 = plot_lines({c}, o);
  EXPECT_GT(count_color(img2, c.color), 10);
}

TEST(Plot, WritesPngAndRejectsBadInput) {
  test::TempDir d;
  write_plot_png(d / "p.png", {Series{"s", {1, 2}, {3, 4}}}, PlotOptions{});
  cv::Mat back = cv::imread((d / "p.png").string());
  EXPECT_EQ(back.cols, 800);
  EXPECT_EQ(back.rows, 500);
  EXPECT_THROW(plot_lines({Series{"bad", {1, 2}, {3}}}, PlotOptions{}), ConfigError);
  // No data at all still gives axes.
  EXPECT_EQ(plot_lines({}, PlotOptions{}).cols, 800);
}
